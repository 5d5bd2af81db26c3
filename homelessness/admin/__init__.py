"""Housing officers work cases in the back office.

The case list is the triage queue (filters: new and unassigned, mine, urgent, due within 7 days, overdue).
A case opens on a workspace page whose forms each call one service; nothing is edited through a ModelForm
and there is no bulk update. Every list and every case page a member of staff opens is audit-logged.
"""

from .cases import CaseAdmin
from .codes import CodeListAdmin
from .queue import DUTY_STAGES, FLAG_LABELS, QueueFilter
from .returns import EXPORT_PERMISSION, HclicExportAdmin

__all__ = [
    "DUTY_STAGES",
    "EXPORT_PERMISSION",
    "FLAG_LABELS",
    "CaseAdmin",
    "CodeListAdmin",
    "HclicExportAdmin",
    "QueueFilter",
]
