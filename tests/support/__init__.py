"""Helpers the tests share: emulators of outside services, the reference computation, the
real terminal, processes. Test modules import these, never each other."""
