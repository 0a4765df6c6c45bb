"""Search time limits, chosen with the benchmarks (see the README)."""

#: Search seconds per cadre for a first plan: at this limit the engine matched PyVRP's travel
#: (median ratio 1.000 over 60 sample cadres, benchmarks/routes.py) and a 15,000-target town
#: plans in well under 30 s on two cores.
PLAN_TIME_LIMIT_S = 0.15
