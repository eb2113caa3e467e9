/** Training: experiment specs, the trainer service and the jobs it runs. */
@Version("2.2.0")
@Export
package mdm.api.train;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
