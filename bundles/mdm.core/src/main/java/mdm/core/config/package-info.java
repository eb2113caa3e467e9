/** Strict reading of JSON/YAML configuration into records, with errors that name the fix. */
@Version("1.2.0")
@Export
package mdm.core.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
