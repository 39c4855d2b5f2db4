"""Consistency checkers over an operation history: pure functions, typed results.

`check_all(history, replicas, initial_stock=..., settle_timeout=...)` runs them all
and returns a `Report`; each checker can also run alone.
"""

from loadtests.checkers.convergence import ConvergenceResult, check_convergence
from loadtests.checkers.evidence import Example
from loadtests.checkers.inputs import InputsResult, check_inputs
from loadtests.checkers.linearizability import LinearizabilityResult, check_linearizability
from loadtests.checkers.report import AnomalyCounts, Report, check_all
from loadtests.checkers.sessions import SessionsResult, check_sessions
from loadtests.checkers.staleness import Lag, StalenessResult, check_staleness
from loadtests.checkers.stock import ProductStock, StockResult, check_stock
from loadtests.checkers.updates import LostUpdatesResult, check_lost_updates

__all__ = [
    "AnomalyCounts",
    "ConvergenceResult",
    "Example",
    "InputsResult",
    "Lag",
    "LinearizabilityResult",
    "LostUpdatesResult",
    "ProductStock",
    "Report",
    "SessionsResult",
    "StalenessResult",
    "StockResult",
    "check_all",
    "check_convergence",
    "check_inputs",
    "check_linearizability",
    "check_lost_updates",
    "check_sessions",
    "check_staleness",
    "check_stock",
]
