"""Dependency warnings that are not ours to fix, silenced only where they arise.

pyHanko 0.38 imports cryptography's DSA classes, deprecated since cryptography 51: a warning
at every start of the app or a tool. It is ignored when raised in pyHanko's own modules; the
same warning from any other module (ours included) still shows, and fails the test suite.
"""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning, module=r"pyhanko\.")
