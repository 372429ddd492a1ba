/* Ascend.Interop: runtime error codes of the CANN ABI subset (our own declarations).
 * Names and values are CANN's, checked against the public CANN 9.0.0 and 9.1.0 headers by the bindings generator
 * (--compare-cann; docs/operators.md "Binding a real CANN"). Where the versions differ we follow 9.1.0 and the
 * comment of the code says so. */
#ifndef ASCEND_INTEROP_ACL_RT_ERROR_CODES_H
#define ASCEND_INTEROP_ACL_RT_ERROR_CODES_H

#define ACL_ERROR_RT_PARAM_INVALID              107000
#define ACL_ERROR_RT_INVALID_DEVICEID           107001
#define ACL_ERROR_RT_CONTEXT_NULL               107002
#define ACL_ERROR_RT_STREAM_CONTEXT             107003
#define ACL_ERROR_RT_MODEL_CONTEXT              107004 /* the graph (model) belongs to another context than the calling thread's */
#define ACL_ERROR_RT_STREAM_MODEL               107005 /* the stream is bound to a model (aclmdlRIBindStream), or not bound to this one */
#define ACL_ERROR_RT_THREAD_SUBSCRIBE           107012 /* the calling thread's report subscription is wrong (aclrtSubscribeReport) */
#define ACL_ERROR_RT_STREAM_NO_CB_REG           107015
#define ACL_ERROR_RT_INVALID_HANDLE             107017 /* a destroyed or wrong-type handle (validated from CANN 9.1.0 on) */
#define ACL_ERROR_RT_WAIT_TIMEOUT               107019
#define ACL_ERROR_RT_CAPTURE_DEPENDENCY         107024
#define ACL_ERROR_RT_STREAM_UNJOINED            107025
#define ACL_ERROR_RT_MODEL_CAPTURED             107026
#define ACL_ERROR_RT_STREAM_CAPTURED            107027
#define ACL_ERROR_RT_EVENT_CAPTURED             107028
#define ACL_ERROR_RT_STREAM_NOT_CAPTURED        107029
#define ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT   107030
#define ACL_ERROR_STREAM_TASK_GROUP_STATUS      107033 /* a task group is in the wrong state for the call (CANN spells it without _RT_) */
#define ACL_ERROR_RT_STREAM_CAPTURE_UNMATCHED   107036
#define ACL_ERROR_RT_MODEL_RUNNING              107037
#define ACL_ERROR_RT_STREAM_CAPTURE_WRONG_THREAD 107038 /* a capture ended on another thread than the one that began it */
#define ACL_ERROR_RT_INSUFFICIENT_INPUT_ARRAY   107039 /* CANN 9.1.0+: a caller's array is too small for what the call returns */
#define ACL_ERROR_RT_MODEL_UPDATE_FAILED        107040 /* CANN 9.1.0+: a captured graph cannot be edited or updated in its state */
#define ACL_ERROR_RT_CAPTURE_MODE_BLOCK_ASYNC   107041 /* CANN 9.1.0+: an async call turned synchronous is refused by the capture mode */
#define ACL_ERROR_RT_SYMBOL_NOT_FOUND           107042 /* CANN 9.1.0+: no device symbol of that name */
#define ACL_ERROR_RT_INVALID_SYMBOL             107043 /* CANN 9.1.0+: the device symbol is not valid */
#define ACL_ERROR_RT_INVALID_DEVICE_FUNCTION    107044 /* CANN 9.1.0+: the device function is not valid */
#define ACL_ERROR_RT_SUB_ACLGRAPH_IS_CAPTURING  107045 /* CANN 9.1.0+: a child graph is still being captured */

#define ACL_ERROR_RT_FEATURE_NOT_SUPPORT        207000
#define ACL_ERROR_RT_MEMORY_ALLOCATION          207001
#define ACL_ERROR_RT_NO_DEVICE                  207004
#define ACL_ERROR_RT_RESOURCE_ALLOC_FAIL        207005
#define ACL_ERROR_RT_NO_STREAM_RESOURCE         207008
#define ACL_ERROR_RT_DEVICE_OOM                 207018
#define ACL_ERROR_RT_TIMEOUT                    207020 /* CANN 9.1.0+: the driver timed out */

#define ACL_ERROR_RT_INTERNAL_ERROR             507000
#define ACL_ERROR_RT_EVENT_NOT_COMPLETE         507006
#define ACL_ERROR_RT_MODEL_EXECUTE              507011 /* a graph cannot run (not READY, build not closed) or its run failed or was aborted */
#define ACL_ERROR_RT_REPORT_TIMEOUT             507012
#define ACL_ERROR_RT_AICORE_EXCEPTION           507015
#define ACL_ERROR_RT_STREAM_SYNC_TIMEOUT        507046
#define ACL_ERROR_RT_EVENT_SYNC_TIMEOUT         507047
#define ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED 507903
#define ACL_ERROR_RT_COMM_OP_RETRY_FAIL         507904
#define ACL_ERROR_RT_L3_PORT_ERROR              507914 /* CANN 9.1.0+: an L3 port error on the device */
#define ACL_ERROR_RT_CCU_TIMEOUT                507915 /* CANN 9.1.0+: a CCU (collective communication unit) task timed out */
#define ACL_ERROR_RT_CCU_EXCEPTION              507916 /* CANN 9.1.0+: a CCU (collective communication unit) task failed */

/* Obsolete aliases: the names this SDK used before it took CANN's spelling. They are not CANN names and will be
 * removed in a later release; use the name each one is defined to. */
#define ACL_ERROR_RT_SUBSCRIBE_THREAD           ACL_ERROR_RT_THREAD_SUBSCRIBE
#define ACL_ERROR_RT_TASK_GROUP_STATUS          ACL_ERROR_STREAM_TASK_GROUP_STATUS
#define ACL_ERROR_RT_CAPTURE_WRONG_THREAD       ACL_ERROR_RT_STREAM_CAPTURE_WRONG_THREAD

#endif
