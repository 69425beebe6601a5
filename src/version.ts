/** The onnxruntime-web version the SDK is built and tested against (checked by a unit test). */
export const ORT_VERSION = '1.30.0';
/** This SDK's version. */
export const INPAGE_VERSION = '0.1.0';
