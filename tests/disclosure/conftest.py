"""The same small agency as the custody tests."""

from ..custody.conftest import custody

__all__ = ["custody"]
