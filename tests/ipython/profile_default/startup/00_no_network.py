# Every notebook kernel started by the tests refuses network access (see bpcourse/_no_network.py).
from bpcourse._no_network import install

install()
del install
