import os

from hypothesis import HealthCheck, settings

# CI draws the same examples every run (derandomize), so a red CI is reproducible; dev explores afresh.
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=60, deadline=None)
# the README's command runs the quick, reproducible profile; HYPOTHESIS_PROFILE=dev explores more
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
