//! Hub payload types, one module per API area; all re-exported at the crate root.

mod card;
mod collections;
mod commits;
mod dataset;
mod discussions;
mod endpoints;
mod files;
mod kernel;
mod model;
mod papers;
mod refs;
mod repo;
mod safetensors;
mod space;
mod tasks;
mod upload;
mod users;
mod webhooks;

pub use card::{DatasetCardData, ModelCardData, SpaceCardData};
pub use collections::{
    Collection, CollectionItem, CollectionItemNote, CollectionItemType, CollectionOwner,
};
pub use commits::{CommitInfo, FormattedCommit, GitCommitAuthor, GitCommitInfo};
pub use dataset::DatasetInfo;
pub use discussions::{
    CommentContent, Discussion, DiscussionAuthor, DiscussionChanges, DiscussionComment,
    DiscussionCommit, DiscussionEvent, DiscussionEventKind, DiscussionRepo, DiscussionRepoType,
    DiscussionStatus, DiscussionStatusChange, DiscussionTitleChange, DiscussionWithDetails,
    DiscussionsPage, FilesWithConflicts,
};
pub use endpoints::{
    ComputeOption, ComputeQuota, EndpointCompute, EndpointModel, EndpointProvider, EndpointScaling,
    EndpointStatus, EndpointUser, InferenceEndpoint, InferenceEndpointList,
    InferenceEndpointProviders, InferenceEndpointStatus, InferenceEndpointType, ProviderRegion,
    ProviderVendor,
};
pub use files::{
    BlobLfsInfo, BlobSecurityInfo, LastCommitInfo, RepoFile, RepoFolder, RepoSibling, RepoTreeEntry,
};
pub use kernel::KernelInfo;
pub use model::{
    GgufInfo, InferenceProviderMapping, InferenceProviderMappings, InferenceStatus, ModelInfo,
    TransformersInfo,
};
pub use papers::{PaperAuthor, PaperDetails, PaperInfo};
pub use refs::{GitRefInfo, GitRefs};
pub use repo::{CreateRepoResponse, ErrorBody, GatedMode};
pub use safetensors::{
    SafeTensorsInfo, SafetensorsFileMetadata, SafetensorsIndex, SafetensorsRepoMetadata, TensorInfo,
};
pub use space::{
    SpaceDomain, SpaceHardware, SpaceHardwareState, SpaceInfo, SpaceReplicas, SpaceRuntime,
    SpaceSdk, SpaceStage, SpaceStorage, SpaceVariable, SpaceVariables,
};
pub use tasks::{TaskInfo, TaskResource, TasksCatalog};
pub use upload::{
    LfsAction, LfsActions, LfsBatchObject, LfsBatchResponse, LfsObjectError, PreuploadFile,
    PreuploadResponse, UploadMode,
};
pub use users::{
    AccessRequest, AccessRequestStatus, AccessRequestUser, AccessTokenInfo, AccountType,
    FineGrainedScopes, LikedRepo, LikedRepoRef, LikedRepoType, Organization, RepoLiker,
    ScopeEntity, ScopedPermissions, TokenRole, User, UserLikes, WhoAmI, WhoAmIAuth, WhoAmIOrg,
};
pub use webhooks::{
    ObjectRef, WebhookAction, WebhookDomain, WebhookEnvelope, WebhookEvent, WebhookInfo,
    WebhookPayload, WebhookPayloadChanges, WebhookPayloadComment, WebhookPayloadDiscussion,
    WebhookPayloadMovedTo, WebhookPayloadRepo, WebhookPayloadUpdatedRef, WebhookPayloadWebhook,
    WebhookUrls, WebhookWatchedItem, WebhookWatchedType,
};
