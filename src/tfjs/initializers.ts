// TF.js initialisers as layer options: a name ('glorotUniform'), an Initializer object, or the
// { className, config } form getConfig() writes (and model.save / tf.loadLayersModel carry,
// with the names camel- and snake-cased on the way).
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors.js';

/** A TF.js initialiser (tf.initializers.*). */
export type Initializer = ReturnType<typeof tfl.initializers.ones>;

/** An initialiser option: a TF.js name ('glorotUniform', 'orthogonal', 'zeros', ...), an object, or its config. */
export type InitializerConfig = string | Initializer | { className: string; config?: tfc.serialization.ConfigDict };

/** The { className, config } form of an initialiser, as getConfig() stores it. */
export interface SerializedInitializer {
  className: string;
  config: tfc.serialization.ConfigDict;
  [key: string]: tfc.serialization.ConfigDictValue;
}

function registeredClass(name: string, option: string): tfc.serialization.SerializableConstructor<tfc.serialization.Serializable> & { fromConfig?: unknown } {
  const map = tfc.serialization.SerializationMap.getMap().classNameMap;
  // Saved models carry the class name camel-cased ('glorotUniform'): TF.js's classes are PascalCase.
  const pascal = name.charAt(0).toUpperCase() + name.slice(1).replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  const entry = map[name] ?? map[pascal];
  if (entry === undefined) throw new ConfigError(`${option}: unknown initializer "${name}": use a TF.js initializer name such as "glorotUniform"`);
  return entry[0] as never;
}

/** The Initializer an option names. */
export function toInitializer(spec: InitializerConfig, option: string): Initializer {
  if (spec instanceof tfc.serialization.Serializable) return spec as Initializer;
  if (typeof spec === 'string') {
    const cls = registeredClass(spec, option) as unknown as new (args: object) => Initializer;
    return new cls({});
  }
  if (typeof spec === 'object' && spec !== null && typeof spec.className === 'string') {
    const cls = registeredClass(spec.className, option);
    return tfc.serialization.SerializationMap.getMap().classNameMap[cls.className][1](cls, spec.config ?? {}) as Initializer;
  }
  throw new ConfigError(`${option} must be an initializer name, a tf.initializers object or { className, config }`);
}

/** What getConfig() stores for an initialiser. */
export function serializeInitializer(init: Initializer): SerializedInitializer {
  return { className: init.getClassName(), config: init.getConfig() };
}

/** @deprecated use InitializerConfig */
export type InitializerSpec = InitializerConfig;
