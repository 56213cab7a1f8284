// A TF.js model saved through model.save and loaded back with tf.loadLayersModel, in memory:
// what a user's saved model goes through (topology JSON, weights, custom layer configs).
import * as tf from '@tensorflow/tfjs';

export async function saveAndReload(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}
