/** Studies: several arms (specs, or a base spec with overrides) trained at one budget, evaluated and reported together. */
@Version("1.0.0")
@Export
package mdm.api.study;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
