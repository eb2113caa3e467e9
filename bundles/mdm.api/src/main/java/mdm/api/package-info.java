/** Names, errors and the tensor runtime shared by every mdm component. */
@Version("1.4.0")
@Export
package mdm.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
