"""sysexits(3): the exit statuses FreeBSD's programs share (sysexits.h)."""

EX_USAGE = 64       # the command was used wrongly: a bad option, a missing operand
EX_DATAERR = 65     # the input data was wrong
EX_NOINPUT = 66     # an input file did not exist or could not be read
EX_NOUSER = 67      # no such user
EX_NOHOST = 68      # no such host
EX_OSERR = 71       # an operating system error
EX_OSFILE = 72      # a system file is missing or wrong
