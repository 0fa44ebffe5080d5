# Runs inside the LocalStack process at start (localstack.sh copies it into <filesystem root>/etc/localstack/init/):
# loads this project's EC2 fidelity layer from the emulator directory localstack.sh names in VPCCNI_EMULATOR_DIR.
# An exception here marks the script as failed in /_localstack/init, and localstack.sh then refuses to go on.
import os
import sys

sys.path.insert(0, os.environ["VPCCNI_EMULATOR_DIR"])

import vpccni_ec2_fidelity  # noqa: E402
from localstack.services.edge import ROUTER  # noqa: E402

vpccni_ec2_fidelity.install(ROUTER)
