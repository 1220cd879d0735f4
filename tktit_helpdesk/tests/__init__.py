# Tests of tktit_helpdesk; shared helpers live in common.py.
