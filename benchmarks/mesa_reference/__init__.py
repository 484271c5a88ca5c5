"""The baseline written as a Mesa model, for the agreement and speed comparison with NarcoFlow."""

from .model import SupplyModel, check_paths, member_months_per_second, run_member

__all__ = ["SupplyModel", "check_paths", "member_months_per_second", "run_member"]
