"""The use cases the command line (and the field app) call: each reads, decides, writes."""
