"""CDISC SEND import: study record, summary tables and cross-domain checks."""

from dossier.importers.send.reader import SendPackage, read_send_package
from dossier.importers.send.study import StudyRecord, check_consistency, study_record
from dossier.importers.send.summaries import SendSummary, summarise

__all__ = [
    "SendPackage",
    "SendSummary",
    "StudyRecord",
    "check_consistency",
    "read_send_package",
    "study_record",
    "summarise",
]
