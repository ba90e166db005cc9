"""SMS through SNS, e-mail through SES, message rendering (issue 4)."""
