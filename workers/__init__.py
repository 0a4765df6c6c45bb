"""The running system: store, broker, Dramatiq actors and the ``zoufang`` command line."""
