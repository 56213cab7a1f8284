"""Puts python/ on sys.path, so that `python3 -m unittest discover -s python/tests` finds the
package without PYTHONPATH or an install (import this first in every test file)."""
import os
import sys

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PACKAGE_DIR not in sys.path:
    sys.path.insert(0, PACKAGE_DIR)
