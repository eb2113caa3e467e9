/** Tensor operations DJL lacks, written once for every bundle. */
@Version("1.1.0")
@Export
package mdm.core.tensor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
