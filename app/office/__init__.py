"""The office's work on pupils' placement: enrolment and class moves."""
