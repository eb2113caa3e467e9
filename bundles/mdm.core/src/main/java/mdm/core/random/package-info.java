/** Seeded, resumable random numbers made on the host, so runs repeat exactly whatever the device. */
@Version("1.0.0")
@Export
package mdm.core.random;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
