"""Official documents (公文) as plain data: the content model every output reads (the .docx through
docxtpl, the PDF converted from it, the web view with its figure links), the number formats, and
the text assembly of each document kind from plain facts. No Django here (ARCHITECTURE.md)."""
