"""Device codecs: pure, byte-exact decoders from wire bytes to sample blocks (one file per device)."""
