/**
 * The runtime's features and components: a catalog read from a folder of Feature JSON files with
 * the OSGi Feature Service, a service that installs and removes them in the running framework, and
 * the directory of registered components. The catalog classes are plain Java so that the launcher
 * uses the same code before the framework exists.
 */
@Version("1.1.0")
@Export
package mdm.features;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
