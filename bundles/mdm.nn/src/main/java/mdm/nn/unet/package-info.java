/**
 * ml-mdm's UNet and NestedUNet (1–4 nested levels, mixed batch, video mode) with their
 * configuration records, YAML reading and the shared backbone factory behaviour.
 */
@Version("2.1.0")
@Export
package mdm.nn.unet;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
