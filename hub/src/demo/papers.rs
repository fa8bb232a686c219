//! The demo's papers: the congress's documents (văn kiện đại hội) and the files that ride
//! along with the committee's work, as PDFs of a few pages in Vietnamese, written by the
//! hub's own PDF machinery, so the demo needs no files from anywhere. One document is
//! confidential (mật) and named for a few delegates only.

use crate::badges::pdf::{PdfDoc, PAGE_HEIGHT, PAGE_WIDTH};
use protocol::Classification;

/// One demo document before it is published.
#[derive(Clone, Debug)]
pub struct DemoDocument {
    pub title: String,
    pub classification: Classification,
    pub file_name: String,
    /// How many of the first delegates may read it, for a confidential one (the chair is
    /// always among its readers).
    pub readers: usize,
    pub pdf: Vec<u8>,
}

const MARGIN: f32 = 64.0;
const BODY: f32 = 11.5;
const LEADING: f32 = 16.0;

/// The documents, in the order they are published.
pub fn demo_documents(district: &str) -> Vec<DemoDocument> {
    let d = |title: &str, class, file: &str, readers, sections: &[(&str, &[&str])]| DemoDocument {
        title: title.to_owned(),
        classification: class,
        file_name: file.to_owned(),
        readers,
        pdf: render(title, district, sections, 2),
    };
    vec![
        d(
            "Chương trình Đại hội",
            Classification::Public,
            "Chương trình Đại hội.pdf",
            0,
            &[("Chương trình làm việc", PROGRAMME)],
        ),
        d(
            "Dự thảo Báo cáo chính trị",
            Classification::Internal,
            "Dự thảo Báo cáo chính trị.pdf",
            0,
            &[
                (
                    "I. Kết quả thực hiện Nghị quyết nhiệm kỳ 2020–2025",
                    RESULTS,
                ),
                ("II. Hạn chế, khuyết điểm và nguyên nhân", SHORTCOMINGS),
                ("III. Phương hướng, mục tiêu nhiệm kỳ 2025–2030", DIRECTIONS),
                ("IV. Nhiệm vụ và giải pháp chủ yếu", DIRECTIONS),
            ],
        ),
        d(
            "Báo cáo kiểm điểm của Ban Chấp hành",
            Classification::Internal,
            "Báo cáo kiểm điểm của Ban Chấp hành.pdf",
            0,
            &[
                ("I. Ưu điểm", RESULTS),
                ("II. Hạn chế, khuyết điểm", SHORTCOMINGS),
                ("III. Bài học kinh nghiệm", DIRECTIONS),
            ],
        ),
        d(
            "Dự thảo Nghị quyết Đại hội",
            Classification::Internal,
            "Dự thảo Nghị quyết Đại hội.pdf",
            0,
            &[
                ("Quyết nghị", RESOLUTION),
                ("Các chỉ tiêu chủ yếu", DIRECTIONS),
            ],
        ),
        d(
            "Danh sách nhân sự dự kiến bầu Ban Chấp hành (Mật)",
            Classification::Confidential,
            "Danh sách nhân sự dự kiến (Mật).pdf",
            4,
            &[
                (
                    "Tài liệu mật – không sao chụp, không mang ra khỏi hội trường",
                    PERSONNEL,
                ),
                ("Tiêu chuẩn, cơ cấu", PERSONNEL),
            ],
        ),
    ]
}

/// A short PDF for a file that rides along with other work (an opinion request's draft, a
/// petition), so the demo's attachments open like real ones.
pub fn attachment_pdf(title: &str, district: &str, paragraphs: &[&str]) -> Vec<u8> {
    render(title, district, &[("", paragraphs)], 1)
}

/// A title page heading and the sections, wrapped onto as many A4 pages as they take.
/// `times`: how often each section's text is set, to give the congress's documents a
/// realistic length.
fn render(title: &str, district: &str, sections: &[(&str, &[&str])], times: usize) -> Vec<u8> {
    let mut doc = PdfDoc::new();
    doc.new_page();
    let width = PAGE_WIDTH - 2.0 * MARGIN;
    let mut y = PAGE_HEIGHT - MARGIN;
    doc.text(
        MARGIN,
        y,
        10.0,
        &format!("ĐẢNG BỘ HUYỆN {}", district.to_uppercase()),
    );
    doc.text_centered(
        PAGE_WIDTH - MARGIN - 90.0,
        y,
        10.0,
        "ĐẢNG CỘNG SẢN VIỆT NAM",
    );
    y -= 60.0;
    for line in doc.wrap(&title.to_uppercase(), 16.0, width) {
        doc.text_centered(PAGE_WIDTH / 2.0, y, 16.0, &line);
        y -= 22.0;
    }
    y -= 18.0;
    for (heading, paragraphs) in sections {
        if y < MARGIN + 80.0 {
            doc.new_page();
            y = PAGE_HEIGHT - MARGIN;
        }
        doc.text(MARGIN, y, 13.0, heading);
        y -= 22.0;
        for paragraph in paragraphs.iter().cycle().take(paragraphs.len() * times) {
            for line in doc.wrap(paragraph, BODY, width) {
                if y < MARGIN {
                    doc.new_page();
                    y = PAGE_HEIGHT - MARGIN;
                }
                doc.text(MARGIN, y, BODY, &line);
                y -= LEADING;
            }
            y -= 6.0;
        }
        y -= 10.0;
    }
    doc.finish(title)
}

const PROGRAMME: &[&str] = &[
    "07 giờ 30: Đón tiếp đại biểu; văn nghệ chào mừng Đại hội. 08 giờ 00: Chào cờ; tuyên bố lý do, giới thiệu đại biểu; bầu Đoàn Chủ tịch, Đoàn Thư ký, Ban Thẩm tra tư cách đại biểu; thông qua chương trình và quy chế làm việc của Đại hội.",
    "08 giờ 45: Diễn văn khai mạc Đại hội. 09 giờ 00: Trình bày Báo cáo chính trị của Ban Chấp hành Đảng bộ khóa XXII trình Đại hội. 09 giờ 45: Trình bày Báo cáo kiểm điểm của Ban Chấp hành nhiệm kỳ 2020–2025.",
    "10 giờ 15: Thảo luận văn kiện Đại hội; tham luận của các đảng bộ, chi bộ cơ sở. 11 giờ 00: Phát biểu chỉ đạo của đồng chí lãnh đạo Tỉnh ủy. Buổi chiều: bầu cử, thông qua Nghị quyết Đại hội và bế mạc.",
];

const RESULTS: &[&str] = &[
    "Nhiệm kỳ qua, trong bối cảnh có nhiều khó khăn, thách thức, Đảng bộ và Nhân dân trong huyện đã đoàn kết, nỗ lực vượt bậc, hoàn thành và hoàn thành vượt mức 18/21 chỉ tiêu chủ yếu Nghị quyết Đại hội đề ra. Tốc độ tăng trưởng giá trị sản xuất bình quân đạt 8,6%/năm; thu nhập bình quân đầu người năm 2025 ước đạt 62 triệu đồng.",
    "Chương trình xây dựng nông thôn mới được triển khai đồng bộ, có 12/14 xã đạt chuẩn nông thôn mới, 4 xã đạt chuẩn nông thôn mới nâng cao. Kết cấu hạ tầng giao thông, thủy lợi, trường học, trạm y tế được đầu tư nâng cấp; tỷ lệ hộ nghèo giảm còn 1,8%.",
    "Công tác xây dựng Đảng và hệ thống chính trị được chú trọng; công tác cán bộ được thực hiện chặt chẽ, dân chủ, đúng quy định. Công tác kiểm tra, giám sát được tăng cường, góp phần giữ vững kỷ luật, kỷ cương trong Đảng.",
];

const SHORTCOMINGS: &[&str] = &[
    "Tăng trưởng kinh tế chưa tương xứng với tiềm năng, lợi thế; chuyển dịch cơ cấu kinh tế còn chậm; sản xuất nông nghiệp quy mô nhỏ, liên kết theo chuỗi giá trị chưa nhiều. Thu hút đầu tư vào các cụm công nghiệp còn hạn chế.",
    "Việc ứng dụng công nghệ thông tin, chuyển đổi số trong hoạt động của các cơ quan đảng, chính quyền có mặt còn chậm. Một số tổ chức cơ sở đảng chưa phát huy tốt vai trò hạt nhân chính trị ở cơ sở.",
];

const DIRECTIONS: &[&str] = &[
    "Mục tiêu tổng quát: Xây dựng Đảng bộ và hệ thống chính trị trong sạch, vững mạnh toàn diện; phát huy sức mạnh đại đoàn kết toàn dân; khai thác hiệu quả tiềm năng, lợi thế; phấn đấu đến năm 2030 trở thành huyện có kinh tế phát triển khá của tỉnh.",
    "Các chỉ tiêu chủ yếu: tốc độ tăng trưởng giá trị sản xuất bình quân 9%/năm trở lên; thu nhập bình quân đầu người đến năm 2030 đạt 95 triệu đồng; 100% số xã đạt chuẩn nông thôn mới nâng cao; tỷ lệ hộ nghèo giảm bình quân 0,5%/năm.",
    "Đẩy mạnh chuyển đổi số, thực hiện họp không giấy ở các cơ quan đảng, chính quyền từ cấp huyện đến cơ sở; tiếp tục đổi mới phương thức lãnh đạo của Đảng; nâng cao chất lượng đội ngũ cán bộ, đảng viên.",
];

const RESOLUTION: &[&str] = &[
    "Đại hội đại biểu Đảng bộ huyện lần thứ XXIII, nhiệm kỳ 2025–2030 quyết nghị: Tán thành những nội dung cơ bản về đánh giá kết quả thực hiện Nghị quyết Đại hội lần thứ XXII và phương hướng, mục tiêu, nhiệm vụ, giải pháp nhiệm kỳ 2025–2030 nêu trong Báo cáo chính trị.",
    "Giao Ban Chấp hành Đảng bộ huyện khóa XXIII căn cứ Nghị quyết Đại hội, xây dựng chương trình hành động, lãnh đạo, chỉ đạo tổ chức thực hiện thắng lợi Nghị quyết Đại hội.",
];

const PERSONNEL: &[&str] = &[
    "Số lượng Ban Chấp hành Đảng bộ huyện khóa XXIII: 37 đồng chí. Danh sách dự kiến giới thiệu bầu cử gồm 41 đồng chí, số dư 4 đồng chí (10,8%). Tài liệu này phục vụ công tác nhân sự, chỉ lưu hành trong phạm vi các đồng chí có tên và sẽ được thu hồi khi kết thúc đại hội.",
    "Cơ cấu: cán bộ chủ chốt khối Đảng, chính quyền, Mặt trận Tổ quốc và đoàn thể; bí thư đảng ủy các xã, thị trấn; cán bộ nữ không dưới 15%; cán bộ trẻ dưới 42 tuổi không dưới 10%.",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_documents_are_pdfs_of_a_few_pages_and_one_is_confidential() {
        let docs = demo_documents("Minh Sơn");
        assert_eq!(docs.len(), 5);
        assert_eq!(
            docs.iter()
                .filter(|d| d.classification == Classification::Confidential)
                .count(),
            1
        );
        for d in &docs {
            assert!(d.pdf.starts_with(b"%PDF-"), "{}", d.title);
            let pages = crate::badges::testing::pdfinfo_pages(&d.pdf);
            assert!((1..=6).contains(&pages), "{}: {pages} pages", d.title);
        }
        let report = &docs[1];
        assert!(
            crate::badges::testing::pdfinfo_pages(&report.pdf) >= 2,
            "a few pages"
        );
    }
}
