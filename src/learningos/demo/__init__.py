"""The demo learner and its course (`learningos seed --demo`, or `learningos serve` on an
empty database). The credentials are public by design: the login page and the README show
them, and the account owns nothing but the demo course."""

DEMO_EMAIL = "demo@learningos.local"
DEMO_PASSWORD = "demo-learner"  # noqa: S105
DEMO_NAME = "Demo Learner"
