"""DutyEval (履职评价): evaluating how governments perform their education duties."""

__version__ = "0.1.0"
