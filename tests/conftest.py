import os

from hypothesis import HealthCheck, settings

# `make test` runs every property test with a fixed budget; `make fuzz` (HYPOTHESIS_PROFILE=fuzz)
# runs the same tests far longer.
settings.register_profile("default", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
