"""The system's accountability pages: dashboards, scorecard, board report, audits, standards.

Seed 001 Action 7c asks for a health equity dashboard per place, Action 8 for a health
equity audit of every project; seed 002 gives the board assurance tool and the board
reporting template; seed 000 Section 2 the standards a plan must meet. These pages are
generated while the book is assembled, from the key results the chapters wrote in their
JSON sidecars (one source of each number) and from what the system states in
``parameters/<system>/plan/`` (:mod:`.plan`).
"""
