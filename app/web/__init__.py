"""What every HTTP answer carries, whatever part of the app gives it: security headers and
the request size limit."""
