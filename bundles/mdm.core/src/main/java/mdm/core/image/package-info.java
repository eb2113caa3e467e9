/**
 * Image I/O without native code (javax.imageio, java.awt, headless): PNG/JPEG decoding to float
 * pixels in [-1, 1] laid out channels × height × width, resizing and cropping, PNG encoding,
 * grids of images with captions and animated GIFs for clips.
 */
@Version("2.0.0")
@Export
package mdm.core.image;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
