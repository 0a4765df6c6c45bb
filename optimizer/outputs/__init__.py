"""Every file zoufang writes (附件2, 日路线, routes.csv, 附件5/6, the weekly report), whole or not
at all, with inert spreadsheet cells (``files``)."""
