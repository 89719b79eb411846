"""Volunteer requests (志愿云呼叫): a resident's request, its branch's intake and dispatch, a member's work."""
