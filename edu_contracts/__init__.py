"""edu-contracts: the edu platform's shared models, message contracts and test services.

The public surface is kept small: the subpackages (``db``, ``schemas``,
``queue``, ``compat``, ``factories``, ``testing``) and the error tree in
``edu_contracts.errors``. Anything with a leading underscore is private.
"""

import logging

from edu_contracts.errors import EduContractsError

# A library logs; the application decides where it goes (no lastResort output).
logging.getLogger("edu_contracts").addHandler(logging.NullHandler())

__version__ = "0.1.0"

__all__ = ["EduContractsError", "__version__"]
