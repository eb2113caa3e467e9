/** Evaluators that score generated samples. */
@Version("1.0.0")
@Export
package mdm.api.eval;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
