"""Report ingestion (issue 4): text in, sections, figures and anomalies out. Pure: no Django.

Public API (see api.py): ``ingest_bytes``, ``ingest_path``, ``ingest_text`` returning a
``Report`` of ``Section``, ``Figure`` and ``Anomaly`` objects; ``IngestError`` for bad input.
"""

from .anomalies import Anomaly
from .api import Report, ingest_bytes, ingest_path, ingest_text
from .figures import Figure
from .reader import IngestError
from .sections import Section

__all__ = [
    "Anomaly",
    "Figure",
    "IngestError",
    "Report",
    "Section",
    "ingest_bytes",
    "ingest_path",
    "ingest_text",
]
