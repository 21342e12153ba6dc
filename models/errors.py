"""Exceptions raised by the models. Misuse is an exception, never a silent wrong answer."""


class ModelError(Exception):
    """Base class of every model error."""


class AllocationError(ModelError):
    """Out of a resource (slots, IRTEs, vectors, irq numbers): Linux's -ENOSPC."""


class ConfigError(ModelError):
    """Invalid parameters or a configuration Linux/the hardware would refuse."""


class BusyError(ModelError):
    """Operation refused because another one is in progress: Linux's -EBUSY."""


class BusError(ModelError):
    """A register access answered SLVERR/DECERR through the RegisterAccess interface."""
