import Testing
@testable import FeaturePipeline

