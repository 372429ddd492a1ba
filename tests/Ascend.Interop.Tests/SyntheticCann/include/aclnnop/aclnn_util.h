/* Synthetic CANN helper header (not CANN's text): defines the export marker most operator headers use. */
#ifndef ASCEND_INTEROP_SYNTHETIC_CANN_ACLNN_UTIL_H
#define ASCEND_INTEROP_SYNTHETIC_CANN_ACLNN_UTIL_H

#define ACLNN_API __attribute__((visibility("default")))

#endif
