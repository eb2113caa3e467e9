/** Starting DJL offline inside OSGi, and device choice. */
@Version("1.1.0")
@Export
package mdm.core.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
