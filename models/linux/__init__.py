"""Models of the Linux 6.2-6.9 x86 interrupt domains used with IMS."""
