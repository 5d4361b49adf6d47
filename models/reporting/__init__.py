"""Standardized monthly and quarterly reports: assembly (one data model), two pure writers
(xlsx, PDF), the export pipeline (``export``), its record (``export_log``) and the
submission workflow (``submissions``), in that order of dependence."""
