"""Cases: turns matches into recovery cases and follows each one to the photographer's payout."""
