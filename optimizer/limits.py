"""Search time limits, chosen with the benchmarks (see benchmarks/README.md)."""

#: Seconds per cadre for a first plan — model, warm start and search together; smaller areas
#: take less (``planning.cadre_time_limit``). At this limit the engine's travel is within
#: 0.5 % of PyVRP's at the same limit (median over 60 sample cadres; equal from 0.2 s on),
#: and a 15,000-target town plans in about 25 s on two cores (``benchmarks/routes.py``).
PLAN_TIME_LIMIT_S = 0.15
