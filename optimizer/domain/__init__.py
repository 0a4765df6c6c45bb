"""Types and rules of the notices, standard library only: the model, the codes, the defaults,
一访到底 (``pairing``), the not-home policy (``revisits``), the 诉求 ledger, privacy, errors."""
