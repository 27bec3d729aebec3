"""Community: public-safe rules, the watch meeting, residents' concerns
(priorities) and beat plans.
"""
