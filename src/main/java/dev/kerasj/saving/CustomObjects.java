package dev.kerasj.saving;

import dev.kerasj.layers.Layer;
import dev.kerasj.losses.Loss;
import dev.kerasj.metrics.Metric;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The registry of a user's own layers, losses and metrics, Keras'
 * {@code @keras.saving.register_keras_serializable(package, name)}: a registered class is written into
 * {@code .keras} files, SavedModels and compile configs under its registered name {@code "package>name"}, and a file
 * that names it is read back through its factory.
 *
 * <pre>{@code
 * CustomObjects.register("my_package", "ScaledDense", ScaledDense.class, ScaledDense::fromConfig);
 * Model model = Model.load(Path.of("model.keras")); // its config names "my_package>ScaledDense"
 * }</pre>
 *
 * <p>The class implements {@link KerasSerializable} ({@code getConfig()}); the factory takes the config map that
 * {@code getConfig()} gave, with the keys kerasj adds (a layer's {@code name}, which the new layer must take, its
 * {@code trainable} and {@code dtype}; a loss's {@code name} and {@code reduction}; a metric's {@code name} and
 * {@code dtype}), numbers as {@code Integer}, {@code Long} or {@code Double}. Register the same name as the
 * Python class does, so that Keras opens kerasj's files and kerasj opens Keras'. A custom layer's weights are its
 * {@code addWeight} weights, in creation order; in TF checkpoints each is tracked under its weight name (in Python,
 * name the attribute as the weight: {@code self.kernel = self.add_weight(name="kernel", ...)}). A custom layer's
 * {@code build} should create weights only ({@code LayerContext.addWeight}, no TensorFlow ops): kerasj sizes a model
 * from its config before building it.
 *
 * <p>Unlike Keras 3.15, which lets a second registration under a name silently replace the first, a name belongs to
 * one class and a class to one name. The registry is global to the JVM and thread-safe.
 */
public final class CustomObjects {
  private static final Map<String, Registration> BY_NAME = new ConcurrentHashMap<>();
  private static final Map<Class<?>, Registration> BY_CLASS = new ConcurrentHashMap<>();

  /**
   * One registered class.
   *
   * @param registeredName {@code "package>name"}, as Keras writes it in a config's {@code registered_name}
   * @param type the class: a {@link Layer}, {@link Loss} or {@link Metric} implementing {@link KerasSerializable}
   * @param fromConfig rebuilds an instance from its config
   */
  public record Registration(String registeredName, Class<? extends KerasSerializable> type,
      Function<Map<String, Object>, ? extends KerasSerializable> fromConfig) {
    /** The package part of the registered name. */
    public String packageName() {
      return registeredName.substring(0, registeredName.indexOf('>'));
    }

    /** The name part of the registered name (Keras' {@code name}, by default the class name). */
    public String name() {
      return registeredName.substring(registeredName.indexOf('>') + 1);
    }
  }

  private CustomObjects() {}

  /**
   * Registers {@code type} under {@code "packageName>name"}. Registering a class again under the name it has is a
   * no-op (static initialisers may run it twice); anything else that would give a name two classes or a class two
   * names is refused.
   *
   * @param packageName Keras' {@code package}, such as {@code "my_package"} (Keras' default is {@code "Custom"})
   * @param name the name in that package, usually the class's simple name
   * @param type a {@link Layer}, {@link Loss} or {@link Metric} implementing {@link KerasSerializable}
   * @param fromConfig the factory, typically a static {@code fromConfig(Map<String, Object>)}
   * @throws IllegalArgumentException for an empty name or one holding {@code '>'}, a class that is not a layer, loss
   *     or metric, or a name or class already registered otherwise
   */
  public static synchronized <T extends KerasSerializable> Registration register(String packageName, String name,
      Class<T> type, Function<Map<String, Object>, ? extends T> fromConfig) {
    checkPart("packageName", packageName);
    checkPart("name", name);
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(fromConfig, "fromConfig");
    if (!Layer.class.isAssignableFrom(type) && !Loss.class.isAssignableFrom(type)
        && !Metric.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException("CustomObjects.register takes a subclass of " + Layer.class.getName()
          + " or an implementation of " + Loss.class.getName() + " or " + Metric.class.getName()
          + ". Received: type=" + type.getName());
    }
    String registered = packageName + ">" + name;
    Registration byName = BY_NAME.get(registered);
    Registration byClass = BY_CLASS.get(type);
    if (byName != null && byName.type().equals(type)) {
      return byName;
    }
    if (byName != null) {
      throw new IllegalArgumentException("The name '" + registered + "' is already registered to "
          + byName.type().getName() + "; a registered name belongs to one class. Received: type=" + type.getName()
          + ". Register it under another name (another package or name)");
    }
    if (byClass != null) {
      throw new IllegalArgumentException("Class " + type.getName() + " is already registered as '"
          + byClass.registeredName() + "'; a class is written under one name. Received: '" + registered + "'");
    }
    Registration r = new Registration(registered, type, fromConfig);
    BY_NAME.put(registered, r);
    BY_CLASS.put(type, r);
    return r;
  }

  /**
   * Removes the registration of {@code registeredName} ({@code "package>name"}); returns whether there was one.
   * Files naming it no longer load.
   */
  public static synchronized boolean unregister(String registeredName) {
    Registration r = BY_NAME.remove(registeredName);
    if (r != null) {
      BY_CLASS.remove(r.type());
    }
    return r != null;
  }

  /** The class registered as {@code registeredName}, or null. */
  public static Registration forName(String registeredName) {
    return registeredName == null ? null : BY_NAME.get(registeredName);
  }

  /** The registration of {@code type} itself (not of a superclass), or null. */
  public static Registration forClass(Class<?> type) {
    return type == null ? null : BY_CLASS.get(type);
  }

  private static void checkPart(String what, String value) {
    if (value == null || value.isEmpty() || value.indexOf('>') >= 0) {
      throw new IllegalArgumentException("CustomObjects.register expects a non-empty " + what + " without '>' (the "
          + "registered name is \"package>name\"). Received: " + what + "="
          + (value == null ? "null" : "'" + value + "'"));
    }
  }
}
